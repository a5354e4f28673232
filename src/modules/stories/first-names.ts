/**
 * First names common in England today, across the backgrounds of the people who send us stories:
 * English, Scottish, Welsh and Irish; South Asian (Muslim, Hindu, Sikh); Black African and
 * Caribbean; Polish and other Eastern European; Arabic, Turkish, Kurdish and Somali; Chinese and
 * South-East Asian. A person's name is looked for after one of these. Not a list of every name:
 * a story's moderator still reads the story.
 */
const NAMES = `
Aaron Adam Adrian Aiden Alan Albert Alex Alexander Alfie Alfred Andrew Andy Anthony Archie Arthur Ashley Barry Ben Benjamin
Bernard Billy Bob Brian Callum Cameron Carl Charles Charlie Chris Christopher Colin Connor Craig Dale Daniel Danny Darren
David Dennis Derek Dominic Donald Douglas Dylan Eddie Edward Elliot Eric Ethan Finley Frederick Freddie Gary Gavin Geoffrey
George Gordon Graham Harry Harvey Henry Howard Ian Isaac Jacob Jake James Jamie Jason Jeffrey Jeremy Jim Jimmy Joe John
Jonathan Joseph Joshua Keith Kenneth Kevin Kieran Lee Leo Leon Lewis Liam Logan Louis Luke Malcolm Martin Matthew Michael
Mike Nathan Neil Nicholas Nigel Noah Oliver Oscar Owen Patrick Paul Peter Philip Phil Raymond Reece Richard Robert Roger
Ronald Ross Roy Ryan Sam Samuel Scott Sean Simon Stanley Stephen Steve Steven Stuart Ted Terry Theo Thomas Tim Timothy Toby
Tom Tommy Tony Trevor Tyler Vincent Wayne William Zach
Abigail Ada Alice Alison Amanda Amelia Amy Andrea Angela Ann Anne Annie Ava Barbara Beatrice Beth Betty Brenda Bridget
Caroline Catherine Charlotte Chloe Christine Claire Clare Debbie Deborah Denise Diane Donna Doris Dorothy Eileen Eleanor
Elizabeth Ella Ellie Emily Emma Erin Evelyn Evie Fiona Florence Frances Freya Gemma Georgia Gillian Hannah Harriet Helen
Hollie Isabella Isla Jackie Jacqueline Jane Janet Janice Jean Jennifer Jenny Jessica Jill Joan Joanne Josephine Joyce Julia
Julie Karen Kate Katherine Kathleen Katie Kelly Kerry Kim Laura Lauren Leah Lesley Linda Lisa Lorraine Louise Lucy Lydia
Lynn Maisie Margaret Maria Marie Marion Martha Mary Maureen Megan Melanie Mia Michelle Millie Molly Nancy Natalie Nicola
Norma Olivia Paige Pamela Patricia Paula Pauline Phoebe Rachel Rebecca Rita Rosie Ruth Sally Samantha Sandra Sarah Scarlett
Sharon Sheila Shirley Sophie Sophia Stacey Stephanie Susan Sylvia Tina Tracey Valerie Vanessa Vera Victoria Wendy Yvonne Zoe
Aoife Ciara Niamh Siobhan Sinead Declan Eamon Seamus Padraig Fergus Hamish Iain Euan Rhys Dafydd Gareth Owain Bethan Sian
Siân Cerys Angharad Bronwen Morag Kirsty Shona
Aarav Aisha Amir Amit Anil Anita Anjali Arjun Asha Ayesha Bilal Deepak Devi Divya Farah Fatima Gurpreet Harjit Harpreet
Hassan Imran Iqbal Jaspreet Kamal Kavita Kiran Laila Mandeep Manjit Meena Mohammed Muhammad Mohammad Mohamed Nadia Naveed
Neha Nisha Omar Pooja Priya Rahul Raj Rajesh Rani Ravi Rekha Rohan Sadia Saima Samir Sanjay Sarita Shabana Shahid Shazia
Sita Sunil Sunita Tariq Usman Vikram Yasmin Zainab Zara Ali Ahmed Ayaan Hamza Ibrahim Yusuf Zaid Adnan Asif Faisal Nasreen
Parveen Rubina Sana Mariam Maryam Amina Khadija Rukhsana Simran Navdeep Jaswinder Baljit Kuldip Harinder Sukhwinder Arun
Abena Adebayo Adaeze Ama Amara Chidi Chiamaka Chinedu Chioma Delroy Desmond Efua Emeka Femi Folake Funmi Ifeoma Kemi Kofi
Kwame Kwabena Leroy Marcia Monique Ngozi Nia Nkechi Obi Oluwaseun Segun Shanice Tendai Tunde Winston Yaw Ayodele Babajide
Chukwuma Adwoa Kojo Yemi Tayo Jermaine Tyrone Keisha Tanisha Abdi Hodan Ayan Ismail Hawa
Agnieszka Aleksandra Anna Bartosz Dariusz Ewa Jakub Joanna Kasia Katarzyna Krzysztof Łukasz Magdalena Marek Marta Michał
Monika Natalia Paweł Piotr Tomasz Wojciech Zofia Andrei Elena Irina Ivan Mihai Olga Oksana Svetlana Dmitri Ioana Bogdan
Ahmad Khalid Layla Leila Mustafa Rania Samira Yara Hana Mehmet Ayşe Emre Elif Karim Salma Amal Hussein Abdul Abdullah Reza
Farid Nour
Mei Wei Ling Hui Ming Yuki Minh Linh
`;

/**
 * Names that are also everyday English words ("Will you…", "I hope…", "Grace period", "in May").
 * They count as a name only when the text shows it: a surname after them, or a capital letter where
 * a sentence does not begin, in a place a verb or a date cannot stand.
 */
const WORD_NAMES = `
Will Hope Grace Mark Bill Faith Joy Rose May June April August Amber Dawn Holly Ivy Daisy Ruby Hazel Heather Jasmine Poppy
Lily Iris Olive Violet Penny Robin Sandy Summer Crystal Destiny Harmony Patience Precious Blessing Mercy Frank Rob Sue Pat
Carol Jack Max Sunny Ray Dean Guy Don Drew Nick Eve Noel Angel Ebony
`;

const words = (list: string) => list.split(/\s+/).filter(Boolean);

export const WORD_FIRST_NAMES: ReadonlySet<string> = new Set(words(WORD_NAMES));
export const FIRST_NAMES: ReadonlySet<string> = new Set([...words(NAMES), ...WORD_FIRST_NAMES]);
